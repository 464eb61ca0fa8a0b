"""The BM25 engine comparison in BENCHMARKS.md ("Choosing the BM25 engine"), kept as it was run.

Run at commit 806428c (where rag.index.bm25 still held the bm25s tokenizer), with `pip install tantivy`:
    python docs/lexical_engines.py prep          # chunk the 24,386 UK written questions once
    python docs/lexical_engines.py bm25s 1       # or fts5 / tantivy; 10 = the chunks ten times over
"""
import sys
if sys.argv[1] == "prep":
    import pickle, time
    from rag.ingest.records import load_records
    from rag.ingest.chunking import chunk_document
    from rag.types import Document
    t=time.time(); rows=[]
    for d in load_records("/work/shared/data/uk-commons-wq-2023-09_2025-06.jsonl.gz"):
        if isinstance(d, Document):
            for c in chunk_document(d): rows.append((c.chunk_id, c.doc_id, c.text, c.metadata))
    print(len(rows), time.time()-t)
    pickle.dump(rows, open("/tmp/lexbench/chunks.pkl","wb"))
    raise SystemExit
import pickle, time, sys, json, resource, os, sqlite3, shutil
import numpy as np
engine, rep = sys.argv[1], int(sys.argv[2])
rows = pickle.load(open("/tmp/lexbench/chunks.pkl","rb"))
from rag.index.bm25 import tokenize
qs = [json.loads(l)["question"] for l in open("/work/shared/eval/uk-dfe-dev-cases.jsonl")][:100]
t=time.time()
toks = tokenize([r[2] for r in rows])
print("tokenize", len(rows), round(time.time()-t,1))
texts = [" ".join(t) for t in toks] * rep
N=len(texts)
qtok = tokenize(qs)
def rss(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss//1024
lat=[]
if engine=="bm25s":
    import bm25s
    t=time.time(); b=bm25s.BM25(); b.index([x.split() for x in texts], show_progress=False); print("build", round(time.time()-t,1))
    for q in qtok:
        t=time.perf_counter(); s=b.get_scores(q); top=np.argpartition(-s, 50)[:50]; lat.append(time.perf_counter()-t)
elif engine=="fts5":
    p="/tmp/lexbench/f.db"; 
    if os.path.exists(p): os.remove(p)
    c=sqlite3.connect(p); c.execute("create virtual table t using fts5(body, tokenize='unicode61')")
    t=time.time()
    c.executemany("insert into t(body) values (?)", ((x,) for x in texts)); c.commit(); print("build", round(time.time()-t,1))
    for q in qtok:
        m=" OR ".join('"%s"'%w for w in q)
        t=time.perf_counter(); r=c.execute("select rowid, bm25(t) from t where t match ? order by bm25(t) limit 50",(m,)).fetchall(); lat.append(time.perf_counter()-t)
elif engine=="tantivy":
    import tantivy
    sb=tantivy.SchemaBuilder(); sb.add_text_field("body", stored=False, tokenizer_name="whitespace"); sb.add_integer_field("row", stored=True, fast=True)
    sch=sb.build(); d="/tmp/lexbench/tv"; shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
    ix=tantivy.Index(sch, path=d); w=ix.writer(heap_size=200_000_000, num_threads=1)
    t=time.time()
    for i,x in enumerate(texts): w.add_document(tantivy.Document(body=x, row=i))
    w.commit(); w.wait_merging_threads(); ix.reload(); print("build", round(time.time()-t,1))
    s=ix.searcher()
    for q in qtok:
        t=time.perf_counter()
        qq=tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.term_query(sch,"body",w_)) for w_ in q])
        r=s.search(qq, 50).hits; lat.append(time.perf_counter()-t)
lat=np.array(lat)*1000
print(engine, N, "p50 %.1f p95 %.1f ms"%(np.percentile(lat,50), np.percentile(lat,95)), "rss MB", rss())
