"""From the statistics table to study tables, review sheets, and notebook displays.

Study tables (:func:`pre_post`, :func:`two_groups`, :func:`proportions`,
:func:`estimates`) reshape the statistics table into one row per study, named as
:func:`evidextract.escalc` reads it, each number beside its source span.
:func:`sensitivity` re-pools a pre-post table over assumed correlations.
:func:`show` highlights the statistics in their abstracts; :func:`to_review` and
:func:`from_review` take a study table through a second reviewer's spreadsheet.
"""

from evidextract.review._labels import study_labels
from evidextract.review._sensitivity import effect_sizes, sensitivity
from evidextract.review._sheets import from_review, to_review
from evidextract.review._show import Highlights, show
from evidextract.review._studies import estimates, pre_post, proportions, two_groups
from evidextract.review._table import StudyTable

__all__ = [
    "pre_post",
    "two_groups",
    "proportions",
    "estimates",
    "sensitivity",
    "effect_sizes",
    "show",
    "Highlights",
    "to_review",
    "from_review",
    "StudyTable",
    "study_labels",
]
