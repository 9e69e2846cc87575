"""Arabic stop words: function words that carry no topic.

Written here as people write them; `analyse.py` and the engine template use their NORMALISED
forms (computed with the active rules), because the stop filter runs after normalisation.
They are dropped from the stemmed fields only: the ``exact`` fields keep every word, so a quoted
phrase such as "إلى المدرسة" still matches precisely and a query made only of stop words still
finds something.
"""

from __future__ import annotations

STOP_WORDS: tuple[str, ...] = tuple(
    """
    في من إلى الى على عن مع عند لدى بين حتى منذ خلال حيث ضد نحو دون عبر
    و ف ب ل ك أو أم ثم بل لكن غير سوى إلا
    هذا هذه هذان هاتان هؤلاء ذلك تلك ذلكم أولئك هنا هناك
    الذي التي الذين اللذين اللتين اللذان اللتان اللاتي اللواتي
    ما ماذا متى أين كيف لماذا هل أي
    لا لم لن ليس ليست إن أن إذا إذ لو لولا قد لقد كما كأن
    كان كانت كانوا يكون تكون
    كل بعض أيضا
    هو هي هم هن هما أنا نحن أنت أنتم أنتن
    أنه إنه أنها إنها فيه فيها منه منها عليه عليها إليه إليها به بها له لها لهم عنه عنها
    وفي ومن وإلى وعلى وعن ومع وهو وهي وهم وقد ولا ولم ولن وإن وأن وكان وكانت وما وهذا وهذه
    يا
    """.split()
)
