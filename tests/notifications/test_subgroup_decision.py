"""A suggestion the owning sub-group decides tells its author who decided, for which
sub-group (issue 17), through the same notifications as a vote's result."""

from __future__ import annotations

from tests.api.review_support import SUBGROUP_DECIDES_RULES as RULES


def test_the_author_hears_that_the_subgroup_accepted_or_declined(world):
    fac, writer, ann = world.facilitator, world.writer, world.members[0]
    fac.api.ok(
        fac.api.client.put(
            f"/api/v1/groups/{world.group.id}/decision-rules",
            json=RULES,
            headers={"Authorization": f"Bearer {fac.api.token}"},
        )
    )
    sentences = ann.api.ok(ann.api.get(f"/sections/{world.section.id}"))["sentences"]
    made = []
    for sentence, text in zip(
        sentences, ("You may ask for one.", "It is paid each month."), strict=False
    ):
        made.append(
            ann.api.ok(
                ann.api.post(
                    f"/sections/{world.section.id}/proposals",
                    {
                        "kind": "replace",
                        "sentence_ids": [sentence["id"]],
                        "text": text,
                        "reason": "Plainer",
                    },
                ),
                201,
            )
        )
    writer.api.ok(writer.api.post(f"/proposals/{made[0]['id']}/accept"))
    writer.api.ok(writer.api.post(f"/proposals/{made[1]['id']}/decline"))
    world.settle()
    told = {
        n["link"]: n["text"]
        for n in ann.api.ok(ann.api.get("/notifications"))["items"]
        if n["kind"] == "suggestion_decided"
    }
    assert told[f"/proposals/{made[0]['id']}"] == (
        "Your suggestion on “Personal budgets” was accepted by Wren Writer for the "
        "sub-group “Writers” and is now in the text."
    )
    assert told[f"/proposals/{made[1]['id']}"] == (
        "Your suggestion on “Personal budgets” was declined by Wren Writer for the "
        "sub-group “Writers”."
    )
