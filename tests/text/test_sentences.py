"""Sentence splitting must get abbreviations, decimals and quotations right."""

import pytest

from server.text.clean import clean_block, clean_line
from server.text.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "You can ask for a Personal Budget, e.g. for transport. It helps.",
            ["You can ask for a Personal Budget, e.g. for transport.", "It helps."],
        ),
        ("Mr. Smith agreed. Mrs. Patel did too.", ["Mr. Smith agreed.", "Mrs. Patel did too."]),
        (
            "The rate is 1.5 hours a week. That is the minimum.",
            ["The rate is 1.5 hours a week.", "That is the minimum."],
        ),
        (
            "It is part of your EHCP. Ask the SEND team.",
            ["It is part of your EHCP.", "Ask the SEND team."],
        ),
        (
            'The officer said "You will hear soon." Then we met.',
            ['The officer said "You will hear soon."', "Then we met."],
        ),
        ("Is it fair? Yes! We think so.", ["Is it fair?", "Yes!", "We think so."]),
        ("A heading\nThe first line of text.", ["A heading", "The first line of text."]),
        ("   ", []),
    ],
)
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_markup_is_kept_as_literal_text():
    assert split_sentences("Use <b>bold</b> here. <script>alert(1)</script> too.") == [
        "Use <b>bold</b> here.",
        "<script>alert(1)</script> too.",
    ]


def test_cleaning_removes_control_characters_and_extra_spaces():
    assert clean_line("  a\u0000b \t\u200b c\n d ") == "ab c d"
    assert clean_block("one\r\n\r\n\r\n\r\ntwo  three") == "one\n\ntwo three"
