"""The branch roster (表六 分公司岗位人员设置清单) as an Excel file: its template,
and the reading and row-by-row validation of an uploaded one.

Reading does not touch the database: the caller passes the branch's offices
and the posts, and `inspections.services.import_roster` saves the result.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from scoring.text import control_characters, from_excel, normalise

from .workbooks import open_workbook

# Column headers as they appear in the file; the roster is a Chinese document.
COLUMNS = [
    ("employee_no", "员工号"),
    ("name", "姓名"),
    ("workplace", "所属机构"),
    ("home_post", "原岗位"),
    ("concurrent_posts", "兼岗"),
    ("active", "在岗"),
]
REQUIRED = {"employee_no", "name", "workplace", "home_post"}
YES = {"是", "在岗", "y", "yes", "true", "1"}
NO = {"否", "离岗", "n", "no", "false", "0"}
SEPARATORS = ["、", "，", ",", "；", ";", "/", " "]


@dataclass(frozen=True)
class RosterRow:
    row_number: int
    employee_no: str
    name: str
    office_id: int | None  # None: the branch itself
    home_post_id: int
    concurrent_post_ids: tuple[int, ...]
    active: bool


@dataclass(frozen=True)
class RowError:
    row_number: int | None
    message: str


@dataclass
class ParsedRoster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _text(value) -> str:
    return normalise(from_excel(value)).strip()


def _split_posts(value: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        value = value.replace(separator, SEPARATORS[0])
    return [name.strip() for name in value.split(SEPARATORS[0]) if name.strip()]


def parse_roster(
    content: bytes,
    *,
    branch_names: set[str],
    offices: dict[str, int],
    posts: dict[str, int],
) -> ParsedRoster:
    """Read and validate every row of an uploaded roster.

    `branch_names` are the names/codes that mean the branch itself, `offices`
    maps each office's name and code to its id, `posts` each post's name and
    code to its id. Row numbers are the spreadsheet's own (the header is row 1).
    """
    result = ParsedRoster()
    try:
        workbook = open_workbook(content)
    except ValidationError as error:
        result.errors.append(RowError(None, error.messages[0]))
        return result
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, [])]
    positions = {}
    for key, title in COLUMNS:
        if title in header:
            positions[key] = header.index(title)
        elif key in REQUIRED:
            result.errors.append(
                RowError(1, _("The column “%(column)s” is missing.") % {"column": title})
            )
    if result.errors:
        workbook.close()
        return result

    seen: dict[str, int] = {}
    for row_number, values in enumerate(rows, start=2):

        def cell(key, values=values):
            position = positions.get(key)
            if position is None or position >= len(values):
                return ""
            return _text(values[position])

        if not any(_text(v) for v in values):
            continue  # blank lines are allowed
        problems = []
        employee_no = cell("employee_no")
        name = cell("name")
        workplace = cell("workplace")
        home_post_name = cell("home_post")
        concurrent_names = _split_posts(cell("concurrent_posts"))
        active_text = cell("active").lower()

        for key, title in COLUMNS:
            found = control_characters(cell(key))
            if found:
                problems.append(
                    _("column %(column)s holds invisible control characters (%(characters)s)")
                    % {"column": title, "characters": "、".join(found)}
                )
        if not employee_no:
            problems.append(_("the employee number is empty"))
        elif employee_no in seen:
            problems.append(
                _("employee number %(no)s appears again (first in row %(row)s)")
                % {"no": employee_no, "row": seen[employee_no]}
            )
        else:
            seen[employee_no] = row_number
        if not name:
            problems.append(_("the name is empty"))
        office_id = None
        if not workplace:
            problems.append(_("the office is empty"))
        elif workplace in branch_names:
            office_id = None
        elif workplace in offices:
            office_id = offices[workplace]
        else:
            problems.append(_("unknown office “%(office)s” in this branch") % {"office": workplace})
        home_post_id = None
        if not home_post_name:
            problems.append(_("the home post is empty"))
        elif home_post_name not in posts:
            problems.append(_("unknown post “%(post)s”") % {"post": home_post_name})
        else:
            home_post_id = posts[home_post_name]
        concurrent_ids = []
        for post_name in concurrent_names:
            if post_name not in posts:
                problems.append(_("unknown concurrent post “%(post)s”") % {"post": post_name})
            elif posts[post_name] != home_post_id and posts[post_name] not in concurrent_ids:
                concurrent_ids.append(posts[post_name])
        if active_text and active_text not in YES | NO:
            problems.append(
                _("“%(value)s” in column 在岗 is neither 是 nor 否") % {"value": cell("active")}
            )

        if problems:
            result.errors.extend(RowError(row_number, problem) for problem in problems)
            continue
        result.rows.append(
            RosterRow(
                row_number=row_number,
                employee_no=employee_no,
                name=name,
                office_id=office_id,
                home_post_id=home_post_id,
                concurrent_post_ids=tuple(concurrent_ids),
                active=active_text not in NO,
            )
        )
    workbook.close()
    if not result.rows and not result.errors:
        result.errors.append(RowError(None, _("The roster has no rows.")))
    return result
