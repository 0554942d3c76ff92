"""Import every model so the metadata is complete (Alembic, tests)."""

from server.accounts.models import ApiToken, AuthSession, PasswordReset, User  # noqa: F401
from server.db import Base  # noqa: F401
from server.editing.models import Client, ClientRequest  # noqa: F401
from server.groups.models import (  # noqa: F401
    Group,
    Invitation,
    Membership,
    Role,
    Subgroup,
    SubgroupMember,
)
from server.history.models import Checkpoint, HistorySnapshot, Revision  # noqa: F401
from server.meetings.models import AgendaItem, Meeting, ReviewMark  # noqa: F401
from server.policies.models import (  # noqa: F401
    Part,
    Policy,
    PolicyOp,
    Section,
    SectionKind,
    Sentence,
    SentenceVersion,
)
from server.presence.models import Connection  # noqa: F401
from server.review.models import (  # noqa: F401
    Agreement,
    Ballot,
    Comment,
    DecisionRules,
    Mention,
    Proposal,
    Vote,
)
