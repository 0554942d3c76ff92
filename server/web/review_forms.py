"""Forms for review pages: comments, suggested changes (proposals), votes and the
group's decision rules. Like server/web/forms.py they check only what a form can
know; the review services check the rest, and their errors land on the same form."""

from __future__ import annotations

from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from server.policies.services import MAX_SENTENCE_CHARS
from server.review import rules
from server.review.models import Choice, CloseMode, WordingDecider
from server.review.proposals import MAX_PROPOSAL_CHARS, MAX_REASON_CHARS
from server.text.rich import MAX_COMMENT_CHARS
from server.web.forms import Form, MenuChoice, RadioChoice, WhenField

COMMENT_HINT = (
    "Type @ and a member's name to mention them. To make words bold, put two stars "
    "either side (**like this**); for slanted words, one star (*like this*)."
)
CHOICES = [
    (Choice.APPROVE.value, "Approve"),
    (Choice.REJECT.value, "Reject"),
    (Choice.ABSTAIN.value, "Abstain (I do not take a side)"),
]
CLOSE_CHOICES = [
    (
        CloseMode.DATE_OR_ALL_VOTED.value,
        "After the number of days below, or sooner if every member has voted",
    ),
    (CloseMode.DATE.value, "After the number of days below, even if everyone has voted"),
    (CloseMode.ALL_VOTED.value, "Only when every member has voted (no closing date)"),
]
DECIDER_CHOICES = [
    (WordingDecider.GROUP.value, "The whole group, by vote"),
    (
        WordingDecider.SUBGROUP.value,
        "The sub-group that owns the section: any one of its members accepts or declines it",
    ),
]
SECRET_CHOICES = [
    ("no", "Everyone in the group can see who voted how"),
    ("yes", "Secret ballot: nobody can see how anyone voted, only the numbers"),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _body(label: str):
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            DataRequired("Write your comment first."),
            Length(
                max=MAX_COMMENT_CHARS,
                message=f"A comment can be up to {MAX_COMMENT_CHARS} characters.",
            ),
        ],
    )


def _reason():
    return TextAreaField(
        "Why do you suggest this?",
        filters=[_strip],
        validators=[
            DataRequired("Say why you suggest this change."),
            Length(
                max=MAX_REASON_CHARS,
                message=f"The reason can be up to {MAX_REASON_CHARS} characters.",
            ),
        ],
    )


def _new_text(label: str = "The words you suggest"):
    return TextAreaField(
        label,
        filters=[_strip],
        validators=[
            Length(
                max=MAX_PROPOSAL_CHARS,
                message=f"The text can be up to {MAX_PROPOSAL_CHARS} characters.",
            )
        ],
    )


# --- comments ----------------------------------------------------------------------------


class CommentForm(Form):
    body = _body("Your comment")
    sentence_id = HiddenField()
    # Some words of the sentence (static/js/word-comments.js): offsets into its text.
    words_start = HiddenField()
    words_end = HiddenField()
    # or typed, for who cannot select them (on a sentence they may not edit, the
    # keyboard has no way to select)
    words = StringField(
        "Only some of its words? (optional)",
        filters=[_strip],
        validators=[Length(max=MAX_SENTENCE_CHARS, message="That is longer than a sentence.")],
    )


class ReplyForm(Form):
    body = _body("Your reply")


class EditCommentForm(Form):
    body = _body("Your comment")


# --- proposals ---------------------------------------------------------------------------


class ProposalForm(Form):
    """What to change depends on the kind (chosen by the link that opened the form):
    replace one sentence, add sentences after one, remove sentences, or rewrite the
    whole section."""

    kind = HiddenField()
    sentence_id = HiddenField()  # replace: the sentence
    after = MenuChoice(
        "Where should the new sentences go?", message="Choose where the new sentences go."
    )  # insert
    text = _new_text()
    reason = _reason()


class EditProposalForm(Form):
    text = _new_text()
    reason = _reason()


# --- votes -------------------------------------------------------------------------------


class BallotForm(Form):
    choice = RadioChoice("Your vote", choices=CHOICES, message="Choose approve, reject or abstain.")
    reason = TextAreaField(
        "Why (optional)",
        validators=[Length(max=2000, message="A reason can be up to 2000 characters.")],
    )
    next = HiddenField()


class VoteTimeForm(Form):
    """More time for a vote (facilitators). Made with the vote's prefix: several vote
    panels share the decisions page, and each field's id must be its own."""

    closes_at = WhenField(
        "New closing date and time",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Give the new closing date and time.")],
    )
    next = HiddenField()


def vote_time_form(vote_id: int, **values) -> VoteTimeForm:
    return VoteTimeForm(prefix=f"vote-{vote_id}-", **values)


class RulesForm(Form):
    quorum_percent = IntegerField(
        "Quorum: how many members must vote, as a percentage",
        validators=[
            InputRequired("Enter a whole number from 0 to 100."),
            NumberRange(*rules.QUORUM_RANGE, message="Enter a whole number from 0 to 100."),
        ],
    )
    threshold_percent = IntegerField(
        "Threshold: a suggestion passes when more than this percentage of approve and "
        "reject votes approve",
        validators=[
            InputRequired("Enter a whole number from 0 to 99."),
            NumberRange(*rules.THRESHOLD_RANGE, message="Enter a whole number from 0 to 99."),
        ],
    )
    close_mode = RadioChoice(
        "When does a vote close?", choices=CLOSE_CHOICES, message="Choose when votes close."
    )
    vote_days = IntegerField(
        "How many days a vote stays open",
        validators=[
            InputRequired("Enter a number of days from 1 to 90."),
            NumberRange(*rules.VOTE_DAYS_RANGE, message="Enter a number of days from 1 to 90."),
        ],
    )
    secret = RadioChoice(
        "Who can see how people voted?",
        choices=SECRET_CHOICES,
        message="Choose whether votes are secret.",
    )
    wording = RadioChoice(
        "Who decides a suggestion on the words of one sentence?",
        choices=DECIDER_CHOICES,
        message="Choose who decides suggestions on wording.",
        optional=True,  # a form from before this choice existed keeps the group's
    )
