"""Self-service data rights (UU PDP 27/2022): see, download, correct and erase what the portal
holds about a person, withdraw consent; the same services serve admins handling written requests."""
