"""The Streamlit front end's pieces: shared helpers (common.py), the chat page, the numbers page,
and the launcher behind `qa-app chat` (launch.py). The entry script is qa_app/chat_app.py.

Importing this package imports nothing of Streamlit; the page files are Streamlit scripts run by
`st.navigation`, not modules to import.
"""
