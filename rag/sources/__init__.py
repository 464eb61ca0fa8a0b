"""Keeping the precedent corpus current from the official sources (opt-in: nothing here runs unless
`ymateb sync` is run or scheduled).

http.py        polite HTTP: User-Agent, a rate limit, retries with backoff on 429/5xx, one-line errors
base.py        what a source is (Source), what it reads (Window) and brings in (Page)
wq.py          parliament-wq: the UK Parliament Written Questions API
petitions.py   uk-petitions, senedd-petitions: the e-petitions JSON of both sites
letters.py     senedd-letters: ministers' letters to the Senedd Petitions Committee (folder or URL list)
sync.py        one run: read since the cursor, index, offer what waits to the desk, record the run
"""
