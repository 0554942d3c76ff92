"""Group tables. A role describes a member; only `facilitator` carries extra power."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.accounts.models import DISPLAY_NAME_CHARS
from server.db import Base, UTCDateTime, utcnow

# The name of a group or a sub-group (model, service, form and API schema).
NAME_CHARS = 120


class Role(enum.StrEnum):
    PARENT_CARER = "parent_carer"
    YOUNG_PERSON = "young_person"
    EDUCATION = "education"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    ADVICE_SERVICE = "advice_service"
    FACILITATOR = "facilitator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PARENT_CARER: "Parent or carer",
    Role.YOUNG_PERSON: "Young person",
    Role.EDUCATION: "Education",
    Role.HEALTH: "Health",
    Role.SOCIAL_CARE: "Social care",
    Role.ADVICE_SERVICE: "Advice service",
    Role.FACILITATOR: "Facilitator",
}

role_type = Enum(
    Role,
    name="member_role",
    native_enum=False,
    length=20,
    values_callable=lambda e: [m.value for m in e],
)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_CHARS))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships = relationship("Membership", back_populates="group", cascade="all, delete-orphan")
    subgroups = relationship(
        "Subgroup", back_populates="group", cascade="all, delete-orphan", order_by="Subgroup.name"
    )

    def __repr__(self) -> str:
        return f"<Group {self.id} {self.name!r}>"


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(role_type)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user = relationship("User", back_populates="memberships")

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR

    def __repr__(self) -> str:
        return f"<Membership group={self.group_id} user={self.user_id} {self.role}>"


class Subgroup(Base):
    """A project group of members working on some sections between whole-group sessions."""

    __tablename__ = "subgroups"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_CHARS))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="subgroups")
    members = relationship(
        "SubgroupMember", back_populates="subgroup", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Subgroup {self.id} {self.name!r}>"


class SubgroupMember(Base):
    """Tied to the group membership, so leaving the group leaves its sub-groups too."""

    __tablename__ = "subgroup_members"
    __table_args__ = (UniqueConstraint("subgroup_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subgroup_id: Mapped[int] = mapped_column(
        ForeignKey("subgroups.id", ondelete="CASCADE"), index=True
    )
    membership_id: Mapped[int] = mapped_column(
        ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subgroup: Mapped[Subgroup] = relationship(back_populates="members")
    membership: Mapped[Membership] = relationship()

    def __repr__(self) -> str:
        return f"<SubgroupMember subgroup={self.subgroup_id} membership={self.membership_id}>"


class Invitation(Base):
    """A single-use, expiring link to join a group with a role. Shown once to the
    facilitator to pass on (no mail server needed); only its hash is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_CHARS), default="")
    role: Mapped[Role] = mapped_column(role_type)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group] = relationship()

    def __repr__(self) -> str:
        return f"<Invitation {self.id} group={self.group_id} {self.email}>"
