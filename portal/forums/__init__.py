"""Moderated discussion forums: categories, threads and posts."""
