"""Each report kind's data, selected in one place; exporters only lay it out.

- `visit`: one visit's acceptance report;
- `branch`: a branch's acceptance report for a campaign;
- `campaign`: head office's consolidated report, and its item-by-item detail;
- `blank_forms`: the rubric's sheets as paper forms;
- `types`: the view-models all of them fill; `sheets` builds a rubric section's lines.
"""
