"""How long free text may be, by name, so that no form, API body or import can store a
novel where a sentence belongs (a 2,000,000-character motivation did once).

Every ``TextField`` of the project is a :class:`BoundedTextField` with one of these limits
(``CharField`` has its own ``max_length``); ``tests/test_bounded_text.py`` fails for a
field without one. The limits are generous for what each kind of text is: they stop
abuse, not writers.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# A search or filter term.
SEARCH = 200
# A web address; the models' URL fields hold as much.
URL = 255
# A remark beside something else: a review note, a resolution, names one per line.
NOTE = 2_000
# Text that describes one thing: a description, a motivation, an agreement, a story.
TEXT = 10_000
# A chapter of a policy document: an agenda's vision or introduction.
CHAPTER = 50_000


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    message = _(
        "Deze tekst is te lang: maximaal %(limit_value)d tekens, en dit zijn er %(show_value)d. "
        "Maak hem korter."
    )


class BoundedTextField(models.TextField):
    """A ``TextField`` that must be given a ``max_length``, checked by ``full_clean``
    (which a plain ``TextField`` does not do) and by its form field, with a Dutch message.
    The database column stays ``text``: the limit is a rule of the application."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(TextLengthValidator(max_length))

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.validators = [
            validator for validator in field.validators if type(validator) is not MaxLengthValidator
        ] + [TextLengthValidator(self.max_length)]
        return field
