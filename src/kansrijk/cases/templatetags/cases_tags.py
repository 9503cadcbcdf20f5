from django import template

register = template.Library()


@register.simple_tag
def shown_cell(row, column, threshold):
    """A cell of the quarterly report as it may be shown ("<5" when hidden)."""
    return row.shown(column, threshold)
