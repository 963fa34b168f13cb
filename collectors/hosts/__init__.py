"""Host collection: the machines the products run on, over SSH (paramiko) or locally (psutil).

Import from the submodules (``collectors.hosts.collect``, ``collectors.hosts.model``, ...): this
package stays empty so that reading the model does not load paramiko or psutil.
"""
