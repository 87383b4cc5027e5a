"""Names vulture cannot see used (scripts/deadcode): hooks a library calls on our
subclasses, attributes a library reads, and fields that must exist. Each says who
uses it. Django's own conventions are in [tool.vulture] in pyproject.toml."""

# Methods a library calls on our subclasses.
_.has_permission  # django.contrib.admin.AdminSite (config/admin.py)
_.get_failures  # axes' handler (config/login_protection.py)
_.original_response  # axes' AXES_LOCKOUT_CALLABLE signature
_._get_actor  # auditlog's middleware (config/middleware.py)
_._get_remote_addr
_._get_remote_port
_.handle_raw_input  # Django's FileUploadHandler (config/uploads.py), its signature
_.input_data
_.boundary
_.receive_data_chunk
_.file_complete
_.as_postgresql  # Django's Func, per database vendor (inspections/models/ordering.py)
_.on_retry  # Celery's Task (reports/tasks.py)
_.on_failure
_.lookups  # Django's SimpleListFilter (inspections/admin.py)
_.prepare_value  # Django's form Field, as a field renders (scoring/sheet_editor.py)

# Attributes a library reads.
_.allow_multiple_selected  # Django's ClearableFileInput
_.output_field  # Django's Func
_.disabled  # Django's form field, set in the admin
_.date_hierarchy  # Django's ModelAdmin
_.formset  # Django's InlineModelAdmin
_.overlap  # openpyxl's charts and cells, written to the file
_.solidFill
_.alignment
_.border
_.hyperlink

# Choices and fields that must exist.
_.B  # Office.CityTier: the choices the admin and the imports offer
_.C
_.first_name  # AbstractUser's, redeclared with the plain-text rule
_.last_name

# Read by the tests and benchmarks, which assert that fonts are subset with HarfBuzz.
_.subsetter
