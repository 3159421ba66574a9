"""selfeval-xlsx：项目支出绩效自评表的模板、批量审核与汇总。"""

__version__ = "0.1.0"
