"""What Celery beat runs, and when (times in CELERY_TIMEZONE, Europe/London): the sweeps
that give work whose worker died back to the queue, and the daily, weekly and monthly jobs.
Read by ephedra/settings.py as CELERY_BEAT_SCHEDULE."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "sweep-reports": {  # reports whose worker died are rebuilt; lost requests enqueued
        "task": "reporting.tasks.sweep_reports",
        "schedule": crontab(minute="*"),
    },
    "sweep-imports": {  # crime imports whose worker died run again; lost requests enqueued
        "task": "reporting.tasks.sweep_imports",
        "schedule": crontab(minute="*"),
    },
    "sweep-evidence": {  # Evidence runs whose worker died run again; lost requests enqueued
        "task": "reporting.tasks.sweep_evidence",
        "schedule": crontab(minute="*"),
    },
    "evaluate-evidence-nightly": {  # 02:30 Europe/London: every area's Evidence figures
        "task": "reporting.tasks.evaluate_evidence_nightly",
        "schedule": crontab(hour=2, minute=30),
    },
    "sweep-notification-emails": {  # e-mails the broker lost, or SMTP refused, sent again
        "task": "accounts.tasks.sweep_notification_emails",
        "schedule": crontab(minute="*"),
    },
    "flag-breached-cautions": {
        "task": "referrals.tasks.flag_breached_cautions",
        "schedule": crontab(hour=7, minute=0),
    },
    "escalate-overdue-referrals": {  # 07:15 Europe/London, after the course-deadline check
        "task": "referrals.tasks.escalate_overdue_referrals",
        "schedule": crontab(hour=7, minute=15),
    },
    "build-weekly-sheets": {  # Monday 06:00 in CELERY_TIMEZONE (Europe/London)
        "task": "reporting.tasks.build_weekly_sheets",
        "schedule": crontab(hour=6, minute=0, day_of_week="monday"),
    },
    "fetch-policeuk": {  # 05:00 daily: police.uk months not yet imported (when switched on)
        "task": "reporting.tasks.fetch_policeuk",
        "schedule": crontab(hour=5, minute=0),
    },
    "build-monthly-reports": {  # the 1st, 06:00: last month (after that day's police.uk fetch)
        "task": "reporting.tasks.build_monthly_reports",
        "schedule": crontab(hour=6, minute=0, day_of_month=1),
    },
    "record-trial-deviations": {  # 04:30: a week just ended, its missed patrol hotspots
        "task": "patrols.tasks.record_trial_deviations",
        "schedule": crontab(hour=4, minute=30),
    },
    "list-records-due-for-review": {  # the 1st of the month, 05:00: retention review
        "task": "dataprotection.tasks.list_records_due_for_review",
        "schedule": crontab(hour=5, minute=0, day_of_month=1),
    },
}
