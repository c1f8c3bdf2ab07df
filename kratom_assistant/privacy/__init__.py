"""What the assistant keeps of people: personal details removed before storing."""
