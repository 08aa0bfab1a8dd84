"""Scrapy add-on for the analysts' options: salary normalisation and the export profile.

- OFFRES_SALARY_NORMALISATION=1 adds the salary pipeline (priority 500, after dedup) unless
  ITEM_PIPELINES already names it.
- OFFRES_EXPORT_PROFILE=redistribution puts the export profile pipeline first (priority 50)
  whatever ITEM_PIPELINES says, and enables the manifest written beside each feed file: a
  compliance switch must not be undone by another setting. An unknown profile stops the crawl
  before it starts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from offres_crawler.extensions.export_manifest import ExportManifest
from offres_crawler.pipelines.export_profile import ExportProfilePipeline, export_profile
from offres_crawler.pipelines.salary import SalaryPipeline

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

SALARY_PRIORITY = 500
EXPORT_PROFILE_PRIORITY = 50


class AnalystsAddon:
    def update_settings(self, settings: Settings) -> None:
        if settings.getbool("OFFRES_SALARY_NORMALISATION"):
            settings.setdefault_in_component_priority_dict("ITEM_PIPELINES", SalaryPipeline, SALARY_PRIORITY)
        if export_profile(settings) == "redistribution":
            settings.set_in_component_priority_dict("ITEM_PIPELINES", ExportProfilePipeline,
                                                    EXPORT_PROFILE_PRIORITY)
            settings.setdefault_in_component_priority_dict("EXTENSIONS", ExportManifest, 520)
