"""DMS implementations of the store's `DeploymentManager` port."""
