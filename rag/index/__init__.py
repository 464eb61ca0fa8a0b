"""The index: embeddings, the Chroma store of chunks and documents, and the BM25 side beside it.

base.py      the Embedder and Store interfaces the rest of rag/ uses
embedder.py  all-MiniLM-L6-v2 int8 on onnxruntime (MiniLMEmbedder, default_embedder)
chroma.py    ChromaStore (embedded PersistentClient or a `chroma run` server)
bm25.py      LexicalIndex: BM25 over every complete chunk, rebuilt when the index changes
server.py    start and stop a local `chroma run` (tests and the benchmark)
records.py   the document record both stores keep (doc_record, document_from_record)
fakes.py     HashEmbedder and MemoryStore: deterministic, in-memory, for fast tests
"""
