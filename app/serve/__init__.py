"""The HTTP API, the Gradio chat UI, and the server that mounts both on one port."""
