"""Observed figures: their checks (`checks`), conflicts between sources (`conflicts`), source grades
(`grading`), the carried seed (`seed`) and the fill-in sheets for new figures (`templates`). A stage."""
