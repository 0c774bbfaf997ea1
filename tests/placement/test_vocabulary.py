"""The words the optimizer and the database share are defined once, in optimizer/vocabulary."""

from optimizer import vocabulary
from placement.models import case, shelter, workflow
from placement.resources.cases import schemas as case_schemas


def test_models_take_their_words_from_the_optimizer():
    assert case.CATEGORIES is vocabulary.CATEGORIES
    assert case.RISKS is vocabulary.RISKS
    assert workflow.URGENCIES is vocabulary.URGENCIES
    for name in ("SHELTER_KINDS", "SECURITY_LEVELS", "GENDER_POLICIES", "ROOM_KINDS",
                 "ROOM_GENDERS", "BED_STATUSES"):
        assert getattr(shelter, name) is getattr(vocabulary, name), name
    assert shelter.PERSON_GENDERS is vocabulary.GENDERS
    role = case_schemas.PersonSchema().fields["role"].validate
    assert role.choices is vocabulary.ROLES

