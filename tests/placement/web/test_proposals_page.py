"""The case manager's proposals page at scale (issue 11): options, excluded shelters and
relaxations a page at a time by server-rendered links; the excluded shelters summed up by rule,
one by one only on request; bad page numbers brought back to a page; a hold from any page comes
back to it when refused. At Kosovo's size everything shows on one page, as before."""

import html
import re

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import Hold, PlacementRequest
from placement.services import proposals
from tests.placement.web.many_shelters import add_shelters
from tests.placement.web.pages import csrf_token, post_form, sign_in
from tests.placement.web.test_case_pages import FAMILY

MANY = 400  # with Kosovo's 8: 101 options, 307 shelters excluded, 103 changes
HOLD_ACTION = re.compile(r'action="(/requests/\d+/holds[^"]*)"')
HOLD_SHELTER = re.compile(r'name="shelter_id" value="(\d+)"')
EXCLUDED_NAME = re.compile(r'<h[34] class="heading-s">([^<]+)</h[34]>')
RELAXATION_NAME = re.compile(r"<li><strong>([^<]+)</strong>:")


@pytest.fixture
def family_request(client, network, make_user):
    """A case manager signed in, and the proposals path of the family's request from Prizren."""
    caller = make_user("case_manager", organisation="org-a")
    assert sign_in(client, caller.username).status_code == 302
    made = post_form(client, "/cases/new", FAMILY, "/cases/new")
    case_page = made.headers["Location"]
    case_id = int(case_page.split("/")[2].split("?")[0])
    asked = post_form(client, f"/cases/{case_id}/requests",
                      {"request-urgency": "urgent", "request-current_municipality": "prizren"},
                      case_page)
    return asked.headers["Location"]


def _whole_answer():
    """The API's answer for the one request, every list in full."""
    placement_request = db.session.scalar(sa.select(PlacementRequest))
    answer = proposals.proposals_for(placement_request, excluded_limit=None,
                                     options_limit=None, relaxations_limit=None)
    db.session.commit()
    return answer


def _get(client, path):
    answer = client.get(path)
    assert answer.status_code == 200, path
    return answer.get_data(as_text=True)


def _link(page, words):
    """The href of the link that says `words`."""
    found = re.search(r'<a href="([^"]+)">' + re.escape(words) + "</a>", page)
    assert found, f"no link {words!r}"
    return html.unescape(found.group(1))


def _option_ids(page):
    return [int(i) for i in HOLD_SHELTER.findall(page)]


def test_at_kosovo_size_everything_shows_on_one_page_as_before(client, family_request):
    page = _get(client, family_request)
    whole = _whole_answer()
    assert whole["options_total"] < 20 and whole["excluded_total"] <= 8
    assert f"Options ({whole['options_total']})" in page
    assert _option_ids(page) == [o["shelter"]["id"] for o in whole["options"]]
    # Every excluded shelter by name with each of its reasons, as the list has always said them.
    assert [html.unescape(n) for n in EXCLUDED_NAME.findall(page)] == [
        e["shelter"]["name"] for e in whole["excluded"]]
    assert "H4: a boy aged 15 is over this shelter&#39;s limit of 12" in page
    assert [html.unescape(n) for n in RELAXATION_NAME.findall(page)] == [
        r["shelter"]["name"] for r in whole["relaxations"]]
    assert "Page 1 of" not in page and "<nav aria-label=\"Pages of" not in page
    assert "Shelters ruled out, by rule" not in page and "See all" not in page
    request_id = family_request.split("/")[2]
    assert set(HOLD_ACTION.findall(page)) == {f"/requests/{request_id}/holds"}


def test_options_come_a_page_at_a_time_in_the_apis_order(client, family_request):
    add_shelters(MANY)
    whole = _whole_answer()
    assert whole["options_total"] == 101
    page, seen, number = _get(client, family_request), [], 1
    assert "Options 1–20 of 101" in page and "Previous options" not in page
    while True:
        shown = _option_ids(page)
        assert 1 <= len(shown) <= 20
        seen.extend(shown)
        assert f"Page {number} of 6" in page
        if "Next options" not in page:
            break
        page, number = _get(client, _link(page, "Next options")), number + 1
    assert number == 6 and "Options 101–101 of 101" in page
    assert seen == [o["shelter"]["id"] for o in whole["options"]]
    back = _get(client, _link(page, "Previous options"))
    assert "Options 81–100 of 101" in back
    # Paging the options leaves the other lists where they are, and the reverse.
    assert "Changes 1–20 of 103" in back and "Next options" in back


def test_the_excluded_shelters_are_summed_up_by_rule_and_listed_on_request(client,
                                                                         family_request):
    add_shelters(MANY)
    whole = _whole_answer()
    page = _get(client, family_request)
    assert "307 shelters cannot take this request" in page
    summary = page[page.index('id="excluded-by-rule"'):page.index("</table>",
                                                                  page.index('id="excluded-by-rule"'))]
    rows = re.findall(r'<th scope="row">(H\d): [^<]+</th>\s*<td class="numeric">([\d,]+)</td>'
                      r"\s*<td>([^<]*)</td>", summary)
    assert [(rule, int(count)) for rule, count, _examples in rows] == [
        (r["rule"], r["shelters"]) for r in whole["excluded_by_rule"]] == [
        ("H3", 103), ("H4", 106), ("H6", 102)]
    for (_rule, _count, examples), by_rule in zip(rows, whole["excluded_by_rule"], strict=True):
        assert html.unescape(examples) == ", ".join(e["name"] for e in by_rule["examples"])
    assert "H4: The shelter&#39;s policy on gender, children or minors" in summary
    # Not one shelter's reasons until asked for.
    assert EXCLUDED_NAME.findall(page) == []
    assert "H4: a boy aged 15 is over" not in page
    listed = _get(client, _link(page, "See all 307 shelters that cannot take this request, with"
                                      " the reasons"))
    assert "Shelters 1–20 of 307 that cannot take this request" in listed
    assert "Options 1–20 of 101" in listed and "Shelters ruled out, by rule" in listed
    names, number = [], 1
    while True:
        names.extend(html.unescape(n) for n in EXCLUDED_NAME.findall(listed))
        assert "H3: a case of domestic violence at medium risk" in listed
        if "Next shelters" not in listed:
            break
        listed, number = _get(client, _link(listed, "Next shelters")), number + 1
    assert number == 16 and "Shelters 301–307 of 307" in listed
    assert names == [e["shelter"]["name"] for e in whole["excluded"]]
    hidden = _get(client, _link(listed, "Hide the list"))
    assert EXCLUDED_NAME.findall(hidden) == [] and "See all 307 shelters" in hidden


def test_relaxations_come_a_page_at_a_time(client, family_request):
    add_shelters(MANY)
    whole = _whole_answer()
    page, names = _get(client, family_request), []
    while True:
        names.extend(html.unescape(n) for n in RELAXATION_NAME.findall(page))
        if "Next changes" not in page:
            break
        page = _get(client, _link(page, "Next changes"))
    assert "Changes 101–103 of 103" in page
    assert names == [r["shelter"]["name"] for r in whole["relaxations"]]


@pytest.mark.parametrize(("query", "shown"), [
    ("options_page=0", "Options 1–20 of 101"), ("options_page=-4", "Options 1–20 of 101"),
    ("options_page=two", "Options 1–20 of 101"), ("options_page=7", "Options 101–101 of 101"),
    ("options_page=99999999999999999999", "Options 101–101 of 101"),
    ("excluded_page=0", "Shelters 1–20 of 307"), ("excluded_page=400", "Shelters 301–307 of 307"),
    ("relaxations_page=1000000", "Changes 101–103 of 103"),
])
def test_a_page_number_out_of_range_shows_the_nearest_page(client, family_request, query, shown):
    add_shelters(MANY)
    page = _get(client, f"{family_request}?{query}")
    assert shown in page


def test_a_hold_from_any_page_holds_and_a_refused_one_comes_back_to_that_page(client,
                                                                              family_request):
    add_shelters(MANY)
    page = _get(client, family_request + "?options_page=3&excluded_page=2&relaxations_page=4")
    action = html.unescape(HOLD_ACTION.search(page).group(1))
    assert action.endswith("/holds?options_page=3&excluded_page=2&relaxations_page=4")
    token = csrf_token(client, family_request)
    # No option chosen, then a shelter the rules exclude: refused, on the page it came from.
    excluded = _whole_answer()["excluded"][0]["shelter"]
    for form, words in (({}, "Choose an option to hold"),
                        ({"shelter_id": excluded["id"]}, "The beds could not be held")):
        refused = client.post(action, data={"csrf_token": token, **form})
        assert refused.status_code == 422
        again = refused.get_data(as_text=True)
        assert words in again
        assert "Options 41–60 of 101" in again and "Shelters 21–40 of 307" in again
        assert "Changes 61–80 of 103" in again
    assert db.session.scalar(sa.select(sa.func.count(Hold.id))) == 0
    db.session.commit()
    option = _option_ids(page)[0]
    held = client.post(action, data={"csrf_token": token, "shelter_id": option})
    assert held.status_code == 302
    assert db.session.scalar(sa.select(Hold.shelter_id)) == option


@pytest.mark.parametrize(("language", "words"), [
    ("sq", ["Mundësitë 1–20 nga 101", "307 strehimore nuk mund ta marrin këtë kërkesë",
            "Strehimoret e përjashtuara, sipas rregullit", "Mundësitë e tjera",
            "Shihni të gjitha 307 strehimoret", "Ndryshimet 1–20 nga 103"]),
    ("sr_Latn", ["Opcije 1–20 od 101", "307 skloništa ne mogu prihvatiti ovaj zahtev",
                 "Isključena skloništa, po pravilu", "Sledeće opcije",
                 "Pogledajte svih 307 skloništa", "Promene 1–20 od 103"]),
])
def test_the_page_at_scale_speaks_the_users_language(client, family_request, language, words):
    add_shelters(MANY)
    post_form(client, "/language", {"language": language, "next": family_request},
              family_request)
    page = _get(client, family_request)
    for phrase in words:
        assert phrase in page, phrase
    assert "Options" not in page and "Next" not in page
