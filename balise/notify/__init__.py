"""`balise notify`: every update that became public since the last run, pushed once to each channel.

- `config`: the channels as mkdocs.yml lists them (plain data), checked before anything is sent.
- `news`: what is news at one moment: new updates, postmortems, corrections, withdrawals, maintenance
  reminders.
- `ledger`: the append-only record of what each channel was sent (or skipped), read back on every run.
- `messages`: an event in words (title, status, plain text cut at a word, link, promise, components).
- `channels`: each kind's payload (Statuspage webhook, Slack, Teams, Discord, Mattermost, Mastodon,
  Bluesky, e-mail, WebSub) and the one request that delivers it, to a base URL the site chooses.
- `run`: one run: the news, less what the ledger holds, to every channel; a failing channel stops
  no other, and what it missed is tried again next run until `max_age`.

May import: `balise.pipeline`, `balise.outputs`, `balise.content` and the ground modules. No MkDocs:
the settings come in as plain data from the MkDocs adapter.
"""
