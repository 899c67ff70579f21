"""The former home of the digit augmentation; it is written in notebook 03 now.

``from course_utils.lessons.augmentation import digit_augmentation`` is the import to use. This
module only forwards that name for code that still imports it from here.
"""

from __future__ import annotations

from .lessons.augmentation import digit_augmentation

__all__ = ["digit_augmentation"]
