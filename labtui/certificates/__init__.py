"""Completion certificates: a signed record of what a learner achieved.

A certificate is JSON: the record (learner, course, modules completed,
exercises passed, best mock-exam score, date, issuer) plus an Ed25519
signature over its canonical form and the signer's public key. Anyone can
verify it offline with ``labtui certificate verify FILE``; ``--key`` also checks
that a particular issuer (an instructor) signed it. A PDF rendering is for
people; the JSON is the proof.
"""
