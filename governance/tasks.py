from celery import shared_task


@shared_task
def list_records_due_for_review() -> int:
    """Placeholder: the retention review job (issue 7) is being built."""
    return 0
