"""What the messaging platforms accept, in one place: the channels keep to these limits
and the content audit (tools/content_audit.py) checks every curated response against them."""

# Messenger cuts quick-reply titles beyond this; every channel keeps titles within it.
MAX_BUTTON_TITLE = 20
# Messenger shows at most this many quick replies; longer lists need a Messenger variation.
MAX_MESSENGER_BUTTONS = 3
# Twilio's limit for one SMS/WhatsApp message, the strictest platform: a text with its
# quick replies listed under it (twilio.py) must fit.
MAX_MESSAGE = 1600
