"""scikit-learn's reference text classifier, the one of
../shared/eval/sklearn_reference.py: TF-IDF word 1-2 grams + char_wb 2-5
grams, logistic regression C=10. Shared by the side-by-side scripts."""
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union


def sklearn_pipeline():
    """A fresh, unfitted reference pipeline."""
    return make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        ),
        LogisticRegression(C=10, max_iter=2000),
    )
