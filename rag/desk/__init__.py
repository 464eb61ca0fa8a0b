"""The answering desk: saved work (requests, draft versions, review status, audit trail), batch intake,
grouping of questions on the same point, and batch drafting."""
