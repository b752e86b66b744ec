"""claim_name: the first free name, and it is recorded as used."""

from ovzoo.naming import claim_name


def test_claim_name_skips_taken_names_and_records_its_choice() -> None:
    used = {"conv/weights", "conv/weights_1"}
    assert claim_name("conv/weights", used) == "conv/weights_2"
    assert claim_name("conv/weights", used) == "conv/weights_3"
    assert claim_name("fresh", used) == "fresh"
    assert {"conv/weights_2", "conv/weights_3", "fresh"} <= used
