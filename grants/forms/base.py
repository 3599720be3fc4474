"""
What the forms stand on: the version of the object the person saw (for the services' stale check),
the services' messages put back on the fields they name, and the values handed to a service.
"""

from django import forms


class VersionForm(forms.Form):
    """A form that only carries the version of the object the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ServiceErrorsMixin:
    def add_service_errors(self, errors: dict[str, str]):
        for key, message in errors.items():
            self.add_error(key if key in self.fields and key != "__all__" else None, message)


class BaseForm(ServiceErrorsMixin, forms.Form):
    # The fields passed to the service, in their form order (without version).
    service_fields: tuple = ()

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.service_fields if name in self.cleaned_data}


class VersionedForm(BaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
