"""Agent 13, crm-support-assistance: the brief a staff member reads before answering a ticket.

`sentiment.py` the tone (VADER with support adjustments, data/support_lexicon.json), `brief.py` the
decision core (context, suggested priority, next best actions, reply draft), `templates.py` the reply
templates, `evaluation.py` the sentiment evaluation on data/ticket_sentiment.json (`hph eval
sentiment`), `servicer.py` the RPC. docs/agents/crm-support-assistance.md says what it decides.
"""
