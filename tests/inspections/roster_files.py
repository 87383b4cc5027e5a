import io

from openpyxl import Workbook

HEADER = ["员工号", "姓名", "所属机构", "原岗位", "兼岗", "在岗"]


def roster_xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
