"""The index: embeddings, the Chroma store of chunks and documents, and the BM25 side beside it.

base.py      the Embedder and Store interfaces the rest of rag/ uses
embedder.py  all-MiniLM-L6-v2 int8 on onnxruntime (MiniLMEmbedder, default_embedder)
chroma.py    ChromaStore (embedded PersistentClient or a `chroma run` server)
lexical.py   LexicalIndex: BM25 (tantivy) over every complete chunk, changed batch by batch
catalogue.py  Catalogue: one SQLite row per document, for the corpus listing (pages, search, counts)
precedents.py PrecedentIndex: the store, the BM25 side and the catalogue kept in step (lock, journal, repair)
where.py     the Chroma `where` subset: evaluated on a record, and as a tantivy filter
server.py    start and stop a local `chroma run` (tests and the benchmark)
records.py   the document record both stores keep (doc_record, document_from_record)
fakes.py     HashEmbedder and MemoryStore: deterministic, in-memory, for fast tests
"""
