"""Reference data the whole programme shares: Gaza's governorates and Amanah's sectors.

Pure Python, no Django: the audit and the verifiers use it as the server does.
"""
