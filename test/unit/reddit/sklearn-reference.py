"""Regenerates test/unit/reddit/sklearn-reference.json with real scikit-learn (not run by the tests).

1. Export the tokens from TypeScript (run from the repository root, e.g. as a temporary .ts file with tsx):
     import { writeFileSync } from 'node:fs';
     import { generateComments, tokenize, cleanText } from './jobs/reddit-moderation/index.js';
     const train = generateComments({ seed: 21, toxicRate: 0.2 }, 600);
     const test = generateComments({ seed: 21, toxicRate: 0.2 }, 8, 600);
     writeFileSync('/tmp/sk-small.json', JSON.stringify({
       trainTokens: train.map((c) => tokenize(cleanText(c.body))), trainLabels: train.map((c) => c.label),
       testTokens: test.map((c) => tokenize(cleanText(c.body))) }));
2. python -m pip install scikit-learn==1.6.1 && python test/unit/reddit/sklearn-reference.py
"""
import json, numpy as np, sklearn
from collections import Counter
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
d = json.load(open('/tmp/sk-small.json'))
ident = lambda x: x
tf = Counter(); df = Counter()
for toks in d['trainTokens']:
    seen=set()
    for n in (1,2,3):
        for i in range(len(toks)-n+1):
            t=' '.join(toks[i:i+n]); tf[t]+=1; seen.add(t)
    for t in seen: df[t]+=1
counts = sorted((c for t,c in tf.items() if df[t]>=3), reverse=True)
for mf in range(100, 200):
    if counts[mf-1] != counts[mf]: break
print('max_features without a tie at the cut:', mf, counts[mf-1], counts[mf])
v = TfidfVectorizer(min_df=3, max_features=mf, preprocessor=ident, tokenizer=ident, token_pattern=None, lowercase=False, ngram_range=(1, 3), sublinear_tf=True).fit(d['trainTokens'])
terms = [str(t) for t in v.get_feature_names_out()]
X = v.transform(d['testTokens'])
rows = []
for r in range(X.shape[0]):
    row = X.getrow(r); rows.append({terms[j]: float(x) for j, x in zip(row.indices, row.data)})
lr = LogisticRegression(C=1.0, max_iter=10000, tol=1e-12).fit(v.transform(d['trainTokens']), d['trainLabels'])
out = {'generatedBy': f'scikit-learn {sklearn.__version__}: TfidfVectorizer(min_df=3, max_features={mf}, ngram_range=(1, 3), sublinear_tf=True, tokenizer=identity on cleanText+tokenize of generateComments(seed 21, toxicRate 0.2) [0, 600)); rows of comments [600, 608); LogisticRegression(C=1, tol=1e-12)',
  'maxFeatures': mf, 'terms': terms, 'idf': [float(x) for x in v.idf_], 'rows': rows,
  'coef': [float(x) for x in lr.coef_[0]], 'intercept': float(lr.intercept_[0])}
json.dump(out, open('test/unit/reddit/sklearn-reference.json', 'w'), indent=0)
print(len(terms), sum(len(r) for r in rows))
