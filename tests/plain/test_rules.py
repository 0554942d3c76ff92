"""Each plain-language rule on a table of sentences: ones it must flag and ones it
must not. The rules are pure (server/plain/rules.py): no app, no database."""

from __future__ import annotations

import pytest

from server.plain import rules
from server.plain.rules import JARGON, NOT_TO_READER, PASSIVE, READING_AGE, TOO_LONG, check

GLOSSARY = frozenset({"ehcp", "send", "ehc needs assessment", "senco", "personal budget"})


def codes(text: str, glossary: frozenset[str] = GLOSSARY) -> set[str]:
    return check(text, glossary).codes()


# --- passive voice --------------------------------------------------------------------------

PASSIVE_YES = [
    "The decision will be decided by the panel.",
    "Your request is reviewed by a caseworker.",
    "The plan was written by the school.",
    "Payments are made every four weeks.",
    "A letter will be sent within two weeks.",
    "The budget is usually agreed at the annual review.",
    "The money can be spent on support at home.",
    "Requests must be made in writing.",
    "Each case is considered on its own merits.",
    "The form should be returned to the council.",
    "Direct payments were given to forty families last year.",
    "The review has been delayed again.",
    "Complaints are dealt with by the customer team.",
    "This section is being rewritten by the group.",
    "The assessment was not completed on time.",
    "Everything we hold about your child is kept safe.",
]
PASSIVE_NO = [
    "You will be told within six weeks.",
    "You will be asked what matters to you.",
    "You're given a copy of the plan.",
    "You may be offered a direct payment.",
    "You are not expected to pay for this.",
    "We decide within six weeks.",
    "The panel decides who gets a personal budget.",
    "The school will tell you what happens next.",
    "I am worried about my child.",
    "We are interested in what you think.",
    "Your child is disabled and needs extra help.",
    "You can ask for a meeting at any time.",
    "The council sends you a letter.",
    "She is tired after school.",
    "We are based in the town hall.",
    "Our team is involved from the start.",
]


@pytest.mark.parametrize("sentence", PASSIVE_YES)
def test_passive_is_flagged(sentence):
    assert PASSIVE in codes(sentence)


@pytest.mark.parametrize("sentence", PASSIVE_NO)
def test_active_or_addressed_to_you_is_not_flagged_as_passive(sentence):
    assert PASSIVE not in codes(sentence)


def test_the_passive_hint_quotes_the_phrase_and_says_what_to_do():
    hint = next(h for h in check("It will be decided by the panel.").hints if h.code == PASSIVE)
    assert "“will be decided by”" in hint.message
    assert "Say who" in hint.message


# --- too long --------------------------------------------------------------------------------


def _words(n: int) -> str:
    return " ".join(["you can ask us"] * (n // 4) + ["help"] * (n % 4)) + "."


TOO_LONG_YES = [_words(n) for n in (26, 27, 30, 33, 40, 50, 64)] + [
    "If you do not agree with the decision that the council has made about your child's "
    "plan you can ask for mediation and if that does not help you can appeal to a tribunal.",
    "You can use your personal budget for things like a personal assistant, activities in "
    "the holidays, equipment at home and travel to the places where your child gets help.",
    "When we get your request we will write to you, tell you who will look at it, ask "
    "what you think and then tell you what we decided and why we decided it.",
    "The money is paid into a bank account that you open for it, and you keep the receipts "
    "so that you can show us what it was spent on when we check it every year.",
    "Your child's school, the health visitor, the social worker and anyone else who knows "
    "your child well will be asked to write down what they think your child needs.",
    "Please tell us if your address, your phone number, your email address, your child's "
    "school or anything else that we need to reach you has changed since you last wrote.",
    "You can ask for a meeting, bring someone with you, ask for an interpreter, have the "
    "papers in large print and take a break whenever you need one during the meeting.",
    "We will look at what you told us, what the school told us and what the doctors told "
    "us, and then we will decide together with you what help is the right help.",
]
TOO_LONG_NO = [_words(n) for n in (1, 5, 10, 20, 24, 25)] + [
    "You can ask for a personal budget.",
    "We decide within six weeks.",
    "Your child's school will help you fill in the form if you want them to.",
    "Tell us what matters most to you and your child.",
    "You can bring a friend to the meeting.",
    "A direct payment is money paid to you.",
    "Ask us if you are not sure.",
    "We will write to you after the meeting to say what we agreed together.",
    "Your child can say what they think too.",
]


@pytest.mark.parametrize("sentence", TOO_LONG_YES)
def test_long_sentence_is_flagged(sentence):
    assert TOO_LONG in codes(sentence)


@pytest.mark.parametrize("sentence", TOO_LONG_NO)
def test_sentence_of_25_words_or_fewer_is_not_flagged_as_long(sentence):
    assert TOO_LONG not in codes(sentence)


def test_a_long_line_holding_two_sentences_says_so():
    """Typed on past a full stop, a line stays one "sentence" until Enter splits it:
    its hint says how many sentences it holds, not that one sentence is too long."""
    two = (
        "The panel looks at every request for a personal budget within four weeks of "
        "getting it. The decision is made by the panel and sent to you in writing."
    )
    (hint,) = [h for h in check(two).hints if h.code == TOO_LONG]
    assert hint.message.startswith("This line holds 2 sentences (29 words). Press Enter")
    (one,) = [h for h in check(_words(30)).hints if h.code == TOO_LONG]
    assert one.message.startswith("This sentence has 30 words.")


def test_the_limit_can_be_changed():
    assert TOO_LONG in check(_words(12), max_words=10).codes()


# --- writing to the reader ---------------------------------------------------------------------

READER_YES = [
    "Parents can ask for an assessment.",
    "Parents and carers will get a letter.",
    "The young person decides how the money is spent.",
    "Young people over 16 can make their own request.",
    "Carers should tell the council about any change.",
    "The child has a say in the plan.",
    "The family gets a copy of the plan.",
    "Families can ask for a meeting.",
    "The parent must sign the agreement.",
    "The applicant receives a decision letter.",
    "Service users can complain at any time.",
    "The pupil takes part in the annual review.",
    "A carer can bring a friend to the meeting.",
    "Parent carers know their child best.",
    "The learner chooses the course.",
    "Applicants hear from us within a week.",
]
READER_NO = [
    "You can ask for an assessment.",
    "Your child has a say in the plan.",
    "You and your child will get a letter.",
    "If you are a parent, you can ask for a meeting.",
    "We send your family a copy of the plan.",
    "Ask us at any time.",
    "The council decides within six weeks.",
    "Young people and their parents can tell you what they think.",
    "The school writes to you.",
    "Your carer can come with you.",
    "We listen to what matters to you.",
    "Tell us what your young person wants.",
    "You decide how the money is spent.",
    "The panel meets every month.",
    "A personal budget is money for support.",
]


@pytest.mark.parametrize("sentence", READER_YES)
def test_talking_about_the_reader_is_flagged(sentence):
    assert NOT_TO_READER in codes(sentence)


@pytest.mark.parametrize("sentence", READER_NO)
def test_writing_to_you_is_not_flagged(sentence):
    assert NOT_TO_READER not in codes(sentence)


# --- jargon and short forms ---------------------------------------------------------------------

JARGON_YES = [
    ("The LA will reply within six weeks.", "LA"),
    ("Ask your IASS for advice.", "IASS"),
    ("The SEN support plan is reviewed termly.", "SEN"),
    ("The statutory timescale is 20 weeks.", "statutory"),
    ("We make provision for your child.", "provision"),
    ("We will signpost you to other services.", "signpost"),
    ("The team will facilitate the meeting.", "facilitate"),
    ("You can utilise the money for travel.", "utilise"),
    ("We act in accordance with the law.", "in accordance with"),
    ("Your child must meet the eligibility criteria.", "eligibility criteria"),
    ("Services are commissioned by the council.", "commissioned"),
    ("The CCG pays for health support.", "CCG"),
    ("The PfA outcomes are in the plan.", "PfA"),
    ("Talk to the SENDIASS team.", "SENDIASS"),
    ("A multi-agency panel looks at every request.", "multi-agency"),
    ("Ask for the EHCPs of both children.", None),  # EHCP is in the glossary (plural)
]
JARGON_NO = [
    "Your EHCP says what help your child gets.",
    "Ask your SENCo for a meeting.",
    "You can ask for an EHC needs assessment.",
    "Children with SEND can get extra help.",
    "A personal budget is money for support.",
    "Your GP can write a letter for you.",
    "The NHS pays for some of the help.",
    "We send you a PDF by email.",
    "Most families live in the UK.",
    "We will write to you within six weeks.",
    "I think the plan is good.",
    "Ask us what the words mean.",
    "The money is paid every four weeks.",
    "You can say no.",
    "OK, we will ring you.",
]


@pytest.mark.parametrize(("sentence", "term"), JARGON_YES)
def test_jargon_and_short_forms_not_in_the_glossary_are_flagged(sentence, term):
    found = check(sentence, GLOSSARY)
    if term is None:
        assert JARGON not in found.codes()
        return
    hint = next(h for h in found.hints if h.code == JARGON)
    assert term in hint.terms
    assert "glossary" in hint.message


@pytest.mark.parametrize("sentence", JARGON_NO)
def test_words_in_the_glossary_or_known_to_all_are_not_jargon(sentence):
    assert JARGON not in codes(sentence)


def test_ehcp_is_jargon_until_the_glossary_explains_it():
    assert JARGON in codes("Your EHCP says what help you get.", frozenset())
    assert JARGON not in codes("Your EHCP says what help you get.", frozenset({"ehcp"}))


def test_a_jargon_hint_offers_plainer_words():
    hint = next(h for h in check("We will facilitate the meeting.").hints if h.code == JARGON)
    assert "try “help, make possible”" in hint.message


# --- reading age --------------------------------------------------------------------------------

HARD = [
    "Notwithstanding the aforementioned considerations, the authority's determination "
    "remains definitive.",
    "Comprehensive multidisciplinary evaluations necessitate considerable organisational "
    "coordination.",
    "Individualised educational interventions facilitate developmental progression.",
    "The commissioning organisation anticipates substantial administrative modifications.",
    "Personalisation methodologies prioritise individual circumstances systematically.",
    "Communication difficulties occasionally necessitate alternative documentation arrangements.",
    "Satisfactory implementation requires interdepartmental collaboration throughout.",
    "Specialist educational psychologists undertake comprehensive observational assessments.",
    "Contemporary legislation establishes considerable responsibilities for organisations.",
    "Intermittent communication inconsistencies generated considerable dissatisfaction.",
    "Eligibility determination incorporates multidimensional socioeconomic considerations.",
    "Accessibility considerations necessitate alternative presentation formats occasionally.",
    "Administrative documentation accompanies every individual application automatically.",
    "Exceptional circumstances occasionally justify discretionary reconsideration procedures.",
    "Collaborative multi-professional conversations generate individualised recommendations.",
]
EASY = [
    "You can ask us for help at any time.",
    "We will write to you in six weeks.",
    "Tell us what your child likes to do.",
    "You can bring a friend with you.",
    "The money is for help at home.",
    "Ask your school if you are not sure.",
    "We want to hear what you think.",
    "You can say no to the plan.",
    "Your child can come to the meeting too.",
    "We will ring you to find a time.",
    "You can get the form from us.",
    "Tell us if you move house.",
    "We pay the money every four weeks.",
    "You keep the receipts for a year.",
    "It is your choice how to spend it.",
]


@pytest.mark.parametrize("sentence", HARD)
def test_hard_sentences_get_a_reading_age_hint(sentence):
    found = check(sentence)
    assert found.reading_age is not None and found.reading_age > rules.MAX_READING_AGE
    hint = next(h for h in found.hints if h.code == READING_AGE)
    assert "It suits readers aged about" in hint.message


@pytest.mark.parametrize("sentence", EASY)
def test_easy_sentences_get_no_reading_age_hint(sentence):
    found = check(sentence)
    assert READING_AGE not in found.codes()
    assert found.reading_age is not None and found.reading_age <= 11


def test_a_handful_of_words_gets_no_reading_age():
    assert check("Ask us.").reading_age is None


# --- other languages and numbers: no hint rather than a wrong one ------------------------

NOT_JUDGED = [
    "Vous pouvez demander un budget personnel à tout moment.",
    "Puede pedir un presupuesto personal en cualquier momento.",
    "Gallwch ofyn am gyllideb bersonol unrhyw bryd.",
    "Możesz poprosić o budżet osobisty w dowolnym momencie.",
    "آپ کسی بھی وقت ذاتی بجٹ کی درخواست کر سکتے ہیں۔",
    "Sie können jederzeit ein persönliches Budget beantragen.",
    "Call 0161 234 5678 or 0800 123 456.",
    "£1,250.00 / £2,500.00 / £3,750.00 (2024/25).",
    "1. 2. 3. 4. 5.",
    "Tel: 0161 555 0100, 0161 555 0101, 0161 555 0102.",
    "",
    "   ",
    "2024-25: 14,320; 2025-26: 15,010.",
    "Pode pedir um orçamento pessoal a qualquer momento.",
    "Je kunt op elk moment een persoonlijk budget aanvragen.",
]


@pytest.mark.parametrize("sentence", NOT_JUDGED)
def test_other_languages_and_numbers_get_no_hint(sentence):
    found = check(sentence)
    assert found.checked is False
    assert found.hints == ()
    assert found.reading_age is None


def test_every_hint_has_a_code_label_and_plain_message():
    found = check(
        "Parents are told by the LA that the statutory provision will be reviewed in "
        "accordance with the comprehensive multidisciplinary documentation requirements "
        "and that assessments will be undertaken notwithstanding any outstanding issues.",
        frozenset(),
    )
    assert found.codes() == set(rules.CODES)
    for hint in found.hints:
        assert hint.as_dict()["label"] and hint.as_dict()["message"].endswith(".")
