"""Ingest: read sources into Documents, find their metadata and boilerplate, chunk, embed, write.

sources.py      files, folders and record files -> Document | Skipped (load_paths)
files.py        one .txt/.md/.pdf/.docx/.html file -> Document (load_file, load_text)
records.py      .jsonl/.jsonl.gz corpora, one Document per line (load_records)
layout.py       the lines of a letter or written question: header, salutation, closing
letters.py      metadata from a letter's or question's text (extract_metadata)
boilerplate.py  letterheads, footers, addresses, signatures (boilerplate_spans)
chunking.py     paragraph-aware chunks with offsets (chunk_document)
pipeline.py     ingest(): skip the unchanged, embed, write each document whole
"""
