"""`/monitoring/projects/<code>/milestones/new/`: the secretariat plans a project's
milestones, each releasing a tranche of an approved allocation. For a project a round
funded, the form starts from the proposal's own plan: its milestones, due dates and
budget shares turned into tranches of the allocation."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from amanah.accounts.models import Role, User
from amanah.accounts.roles import user_has_role
from amanah.funds.models import Allocation, MoveStatus
from amanah.funds.money import Money
from amanah.monitoring import selectors, services
from amanah.projects.models import Project


class MilestoneForm(forms.Form):
    deliverable_en = forms.CharField(label=gettext_lazy("Deliverable in English"), max_length=500)
    deliverable_ar = forms.CharField(label=gettext_lazy("Deliverable in Arabic"), max_length=500)
    due = forms.DateField(
        label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    allocation = forms.ChoiceField(label=gettext_lazy("Allocation it draws on"))
    tranche = forms.CharField(
        label=gettext_lazy("Tranche it releases"),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, allocations: list[Allocation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["allocation"].choices = [
            (str(a.id), f"{a.amount} · {a.on}") for a in allocations
        ]


def _proposed(project: Project, allocation: Allocation | None) -> dict[str, Any]:
    """The proposal's next planned milestone, as the form's starting values."""
    proposal = getattr(project, "proposal", None)
    if proposal is None or allocation is None:
        return {}
    taken = project.milestones.count()
    planned = list(proposal.milestones.order_by("position"))
    if taken >= len(planned):
        return {}
    step = planned[taken]
    if taken == len(planned) - 1:  # the last step takes what the others leave, to the cent
        others = sum(m.tranche_minor for m in allocation.milestones.all())
        tranche = Money.from_minor(allocation.amount_minor - others, allocation.currency).amount
    else:
        places = Decimal(1).scaleb(allocation.amount.amount.as_tuple().exponent)  # 0.01: USD
        tranche = (allocation.amount.amount * step.budget_percent / 100).quantize(
            places, rounding=ROUND_DOWN
        )
    return {
        "deliverable_en": step.title,
        "deliverable_ar": step.title,
        "due": step.due_on,
        "allocation": str(allocation.id),
        "tranche": str(tranche),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def milestone_new(request: HttpRequest, code: str) -> HttpResponse:
    if not user_has_role(request.user, Role.SECRETARIAT):
        raise PermissionDenied
    user: User = request.user  # type: ignore[assignment]
    project = selectors.project_by_code(code)
    if project is None:
        raise Http404("no such project")
    allocations = list(
        Allocation.objects.filter(project=project, status=MoveStatus.APPROVED).order_by(
            "approved_index"
        )
    )
    if request.method == "POST":
        form = MilestoneForm(request.POST, allocations=allocations)
        if form.is_valid():
            try:
                made = services.milestone_define(
                    project=project.code, actor=user, **form.cleaned_data
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    target = field if field in form.fields else None
                    for problem in problems:
                        form.add_error(target, problem)
            else:
                messages.success(
                    request,
                    _("Milestone %(number)s is planned, logged at entry %(index)s.")
                    % {"number": made.number, "index": made.defined_index},
                )
                return redirect("monitoring:project", code=project.code)
        status = 400
    else:
        first = allocations[0] if allocations else None
        form = MilestoneForm(initial=_proposed(project, first), allocations=allocations)
        status = 200
    context = {
        "project": project,
        "form": form,
        "allocations": allocations,
        "from_proposal": bool(getattr(project, "proposal", None)),
    }
    return render(request, "monitoring/milestone_new.html", context, status=status)
