"""GET /occupancy pages its shelter list; totals, regions and stale shelters stay whole."""

URL = "/api/v1/occupancy"


def call(client, caller, **params):
    return client.get(URL, query_string=params, headers=caller.headers)


def test_a_page_of_shelters_is_a_slice_of_the_whole_list_and_the_figures_do_not_move(
        client, network, make_user):
    coordinator = make_user("national_coordinator")
    whole = call(client, coordinator, limit=500)
    page = call(client, coordinator, limit=3, offset=2)
    assert page.status_code == whole.status_code == 200
    everyone = whole.get_json()["shelters"]
    assert len(everyone) > 5
    assert page.get_json()["shelters"] == everyone[2:5]
    assert page.headers["X-Total-Count"] == whole.headers["X-Total-Count"] == str(len(everyone))
    for key in ("totals", "regions", "stale"):
        assert page.get_json()[key] == whole.get_json()[key]


def test_stale_shelters_are_all_listed_even_beyond_the_page(client, network, make_user):
    # A loaded network was never confirmed: every shelter is stale.
    view = call(client, make_user("national_coordinator"), limit=1).get_json()
    assert len(view["shelters"]) == 1
    assert view["stale"]["count"] == view["totals"]["shelters"] == len(view["stale"]["shelters"])
    assert view["totals"]["shelters"] > 1


def test_a_limit_out_of_bounds_is_refused_naming_the_field(client, network, make_user):
    answer = call(client, make_user("national_coordinator"), limit=0)
    assert answer.status_code == 422
    assert "limit" in str(answer.get_json())


def test_the_csv_export_holds_every_shelter_whatever_the_page(client, network, make_user):
    coordinator = make_user("national_coordinator")
    total = int(call(client, coordinator).headers["X-Total-Count"])
    text = call(client, coordinator, format="csv", limit=1).get_data(as_text=True)
    names = [s["name"] for s in call(client, coordinator, limit=500).get_json()["shelters"]]
    assert len(names) == total > 1
    assert all(name in text for name in names)
