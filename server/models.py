"""Import every model so the metadata is complete (Alembic, tests), and wire the
listeners that write in the transaction of the change they follow (server.events.
within): everything that uses the database imports this module for its mappers."""

from server.accounts.models import ApiToken, AuthSession, PasswordReset, User  # noqa: F401
from server.db import Base  # noqa: F401
from server.editing.models import Client, ClientRequest  # noqa: F401
from server.glossary.models import GlossaryChange, GlossaryTerm  # noqa: F401
from server.groups.models import (  # noqa: F401
    Group,
    Invitation,
    Membership,
    Role,
    Subgroup,
    SubgroupMember,
)
from server.history import recording
from server.history.models import Checkpoint, HistorySnapshot, Revision  # noqa: F401
from server.meetings.models import (  # noqa: F401
    ActionItem,
    AgendaItem,
    Attendance,
    ItemNote,
    Meeting,
    ReviewMark,
)
from server.notifications.models import (  # noqa: F401
    MailChoice,
    Notification,
    OutboxMail,
    PendingEvent,
)
from server.participation import statements
from server.participation.models import (  # noqa: F401
    CheckResponse,
    LadderPlacement,
    Learning,
    Statement,
    StatementTally,
)
from server.plain.models import HintDismissal  # noqa: F401
from server.policies.models import (  # noqa: F401
    Part,
    Policy,
    PolicyOp,
    Section,
    SectionKind,
    Sentence,
    SentenceVersion,
)
from server.presence import credential_epoch  # noqa: F401  (moves with credential changes)
from server.presence.models import Connection, CredentialEpoch  # noqa: F401
from server.publishing.models import PublicPage, Release  # noqa: F401
from server.review.models import (  # noqa: F401
    Agreement,
    Ballot,
    Comment,
    DecisionRules,
    Mention,
    Proposal,
    Vote,
)

recording.install()  # every policy op becomes history
statements.install()  # a closed session opens the "I statements" check
