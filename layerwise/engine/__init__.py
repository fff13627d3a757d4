"""The machinery a user does not touch directly."""
