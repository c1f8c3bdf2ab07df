"""The project's messaging-platform channels (Telegram, Slack, Facebook Messenger, Twilio
SMS/WhatsApp, Microsoft Bot Framework).

Each one checks that a webhook really comes from its platform before Rasa sees it, and
posts Rasa's curated replies in the platform's own format. They are enabled in
credentials.yml only when their environment variables are set (bot/channels/config.py).
"""
