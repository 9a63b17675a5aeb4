"""The Images tab."""
