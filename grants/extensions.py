"""
Where other apps add to grants' pages without grants importing them: the arrows run
reporting → grants, never back.

A project page section is a callable `(request, project) -> {"template": ..., "context": {...}}`,
or None to add nothing for this request. The project page includes each section's template, in
the order the sections were registered, with the section's context as `section` (and `request`)
and nothing else of the page. Register sections in the other app's `AppConfig.ready()`.
"""

project_page_sections = []


def add_project_page_section(section):
    """Register `section` once (ready() can run more than once in tests)."""
    if section not in project_page_sections:
        project_page_sections.append(section)
    return section


def project_page_extras(request, project) -> list[dict]:
    """The sections other apps add to `project`'s page, for the template to include."""
    return [part for part in (section(request, project) for section in project_page_sections) if part]
