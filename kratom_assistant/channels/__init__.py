"""The channels: REST and socket.io (web.py, Rasa's own with every message prepared first)
and the messaging platforms (Telegram, Slack, Facebook Messenger, Twilio SMS/WhatsApp,
Microsoft Bot Framework).

Each platform channel checks that a webhook really comes from its platform before Rasa
sees it, and posts Rasa's curated replies in the platform's own format. They are enabled
in credentials.yml only when their environment variables are set (config.py).

Why our own platform channels rather than subclasses of Rasa 3.6's: Rasa hands the
message over inside each channel's own webhook handler, so preparing it (incoming.py:
length cap, the "temporarily unavailable" reply) and reading typed quick-reply choices
would mean replacing that handler, which is most of the channel. Rasa's Messenger and
Bot Framework channels also send through blocking HTTP clients on the server's event
loop, its Bot Framework check verifies the token's audience but not its issuer or the
service URL, and Rasa has no check for Telegram's secret token or Twilio's signature.
base.py holds what all of them share.
"""
