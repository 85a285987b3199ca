"""What every Amanah app shares: the site's layout, home page, i18n helpers and middleware."""
